"""Regional economy and disparity simulator (see docs/simulation.md)."""
