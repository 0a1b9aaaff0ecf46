"""Canton's value types, used by every layer: ids, refined numerics and durations, error codes,
synchronizer parameters, traffic records and health records. Nothing here knows a node, a store or
the console."""
