"""Geography: H3 cells for radius queries, the agency's address table and geocoder, and the
hundred-block generalization the public map shows instead of an exact point."""
