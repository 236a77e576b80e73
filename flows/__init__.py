"""Platform-neutral heart of nearmiss: the report flow as data, its engine and domain rules."""
