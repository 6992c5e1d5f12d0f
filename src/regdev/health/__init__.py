"""Health network: settlements, travel, siting models, staffing."""
