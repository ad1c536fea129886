"""The sales funnel: per pipeline and period, from the deals' stage history, how many deals entered
each stage, how many of them moved on, how long they stayed, and the win rate and cycle length."""
