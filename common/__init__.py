"""What every layer may use: the error types with their exit codes, the TOML reader, and
writing an artefact through the gate it is given. It imports nothing of minyi's own."""
