"""Sales by product, segment and region: won revenue, deals won and lost, win rate and average deal
size per group, over the deals closed in a period."""
