"""The interactive Solara dashboard and its offline front-end assets."""
