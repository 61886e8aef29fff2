"""DfE's names for the rows and columns of the DSG management plan's children and young people
tables, as (code, name) in DfE's order: the data migration seeds the tables from these, and
cyp_categories_seed puts them back where a test database was emptied."""

PLACEMENTS = (
    ("mainstream", "Mainstream schools and academies"),
    ("resourced", "Resourced provision and SEN units"),
    ("special", "Maintained special schools and special academies"),
    ("independent-special", "Non-maintained and independent special schools"),
    ("hospital-ap", "Hospital schools and alternative provision"),
    ("post-16", "Post-16 and further education"),
    ("other", "Other arrangements and direct payments"),
)
AGE_GROUPS = (
    ("under-5", "Under 5"),
    ("5-10", "Age 5 to 10"),
    ("11-15", "Age 11 to 15"),
    ("16-19", "Age 16 to 19"),
    ("20-25", "Age 20 to 25"),
)
NEEDS = (
    ("asd", "Autistic spectrum disorder (ASD)"),
    ("hi", "Hearing impairment (HI)"),
    ("mld", "Moderate learning difficulty (MLD)"),
    ("msi", "Multi-sensory impairment (MSI)"),
    ("pd", "Physical disability (PD)"),
    ("pmld", "Profound and multiple learning difficulty (PMLD)"),
    ("semh", "Social, emotional and mental health (SEMH)"),
    ("slcn", "Speech, language and communication needs (SLCN)"),
    ("sld", "Severe learning difficulty (SLD)"),
    ("spld", "Specific learning difficulty (SPLD)"),
    ("vi", "Visual impairment (VI)"),
    ("oth", "Other difficulty or disability"),
    ("nsa", "SEN support but no specialist assessment of type of need"),
)
