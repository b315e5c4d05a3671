"""Quality checks in the console (supervisors, admins): the week's drawn calls, the draw, scoring."""
