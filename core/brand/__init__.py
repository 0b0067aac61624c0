"""Brand voice: profiles trained from a team's own writing, applied to prompts, scored on every output."""
