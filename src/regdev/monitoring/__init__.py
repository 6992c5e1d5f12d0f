"""Monitoring service: database, REST API, roles, audit and the offline dashboard."""

# The evaluation tables live in their own module (no import cycle with ``models``);
# importing it with the package registers them on ``Base.metadata`` wherever the models
# are used (schema creation, migrations, backups).
from regdev.monitoring import evaluation_models as _evaluation_models  # noqa: E402

del _evaluation_models
