"""Grain storage: properties, a layered bin model, controllers, sensors and sizing.

Modules
-------
properties   psychrometrics, equilibrium moisture (ASABE D245 forms), shrink, storage time
weather      synthetic hourly weather by latitude and a CSV reader
plant        layered (deep-bed) bin model as pure functions on numpy arrays
insects      degree-day insect development risk per layer
controller   Controller protocol; EMC-window, temperature-difference and predictive controllers
safety       sensor fault detection and alarms
loop         closed-loop simulation harness
fumigation   fumigation / controlled-atmosphere plan checking and scheduling
sizing       county storage, dryer and fan sizing
mqtt         topic layout, payload validation, the live control loop
config       ``store.toml`` configuration

Importing this package is cheap; import the submodules you need.
"""

from __future__ import annotations
