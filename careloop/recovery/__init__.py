"""Service recovery: item types and serialized stock, the clients limits count against, the
authority matrix and approvals, the R11 gift guard, unit budgets and the append-only ledger."""
