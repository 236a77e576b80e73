"""Platform adapters, the command line, configuration and scheduler wiring."""
