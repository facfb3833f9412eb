package cli

// ListFormatHelp is Docker's help of --format on the list commands (ps,
// images, network ls, volume ls, system df).
const ListFormatHelp = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template`

// InspectFormatHelp is Docker's help of --format on the inspect commands,
// which print JSON or a template, never a table.
const InspectFormatHelp = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template`
