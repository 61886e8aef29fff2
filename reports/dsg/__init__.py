"""The DSG deficit management plan's outputs (issue 19.5): the plan and the termly Schools Forum
paper as PDF and .docx, built only from a DSG round's record (its frozen payload once ready)."""
