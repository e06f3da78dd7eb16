"""The demo company behind `aftersales demo-data`: reference tables (data.py) and the builder (builder.py)."""
