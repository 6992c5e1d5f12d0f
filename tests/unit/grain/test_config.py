from __future__ import annotations

from pathlib import Path

import pytest

from regdev.errors import ConfigError
from regdev.grain.config import read_store_config

GOOD = """
[store]
id = "kimhwa-1"
grain = "maize"
tonnes = 2000
n_layers = 8

[mqtt]
port = 1883

[controller]
strategy = "delta-t"
interval_s = 30
[controller.params]
start_k = 6

[storage]
database = "data/readings.sqlite"
"""


def test_read_good_config(tmp_path: Path) -> None:
    p = tmp_path / "store.toml"
    p.write_text(GOOD)
    cfg = read_store_config(p)
    assert cfg.store.id == "kimhwa-1"
    assert cfg.controller.params == {"start_k": 6.0}
    assert cfg.database_path() == tmp_path / "data" / "readings.sqlite"
    assert cfg.store.to_spec().n_layers == 8
    assert cfg.mqtt.prefix == "regdev/grain"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[store]\nid='a b'\ntonnes=1\n", "store.id"),
        ("[store]\nid='a'\ntonnes=-1\n", "store.tonnes"),
        ("[store]\nid='a'\ntonnes=1\n[controller]\nstrategy='pid'\n", "controller.strategy"),
        ("[store]\nid='a'\ntonnes=1\ncolour='red'\n", "colour"),
        ("[store\n", "not valid TOML"),
        ("[mqtt]\nport=1\n", "store"),
    ],
)
def test_bad_configs_name_the_key(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "store.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=match):
        read_store_config(p)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        read_store_config(tmp_path / "nope.toml")
