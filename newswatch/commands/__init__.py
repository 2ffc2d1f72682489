"""The CLI sub-commands, each a thin shell over flows and storage."""
