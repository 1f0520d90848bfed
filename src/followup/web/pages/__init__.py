"""The pages, one module each: Today (and acting on actions), Pipeline, Opportunity, Record,
Insights, and Data (import/export, playbook, demo)."""
