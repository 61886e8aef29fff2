"""Demo data: Wiltshire from the seed documents and the fictional Northdale (`load_demo`)."""
