"""Region registry: validated tables of regions, the default country, geography.

Public API::

    RegionRegistry            immutable validated table indexed by region_id
    load_default()            the embedded DPRK country (180 regions)
    load_programme_events()   real 20x10 programme events
    historical_cohorts()      real yearly cohorts from the events
    read_regions(path)        CSV / Excel / GeoJSON / GeoPackage / Parquet
    import_regions(raw, map)  a foreign table through a ColumnMapping (regdev data import)
    write_regions(reg, path)  CSV / Parquet, atomic
    toy_region()              6-row example
"""

from __future__ import annotations

from regdev.registry._schema import ColumnSpec, region_schema, schema_markdown
from regdev.registry.default import (
    historical_cohorts,
    load_default,
    load_outline,
    load_programme_events,
)
from regdev.registry.development import DevelopmentWeights
from regdev.registry.examples import toy_region
from regdev.registry.io import (
    ImputationWarning,
    read_raw_table,
    read_regions,
    to_csv_text,
    write_regions,
)
from regdev.registry.mapping import ColumnMapping, ImportReport, import_regions, load_mapping
from regdev.registry.regions import RegionRegistry
from regdev.registry.vocabulary import normalise_resource, resource_vocabulary

__all__ = [
    "ColumnMapping",
    "ColumnSpec",
    "DevelopmentWeights",
    "ImportReport",
    "ImputationWarning",
    "RegionRegistry",
    "historical_cohorts",
    "import_regions",
    "load_default",
    "load_mapping",
    "load_outline",
    "load_programme_events",
    "normalise_resource",
    "read_raw_table",
    "read_regions",
    "region_schema",
    "resource_vocabulary",
    "schema_markdown",
    "to_csv_text",
    "toy_region",
    "write_regions",
]
