"""The agent desk: state buttons, the screen pop, disposition, work orders, harassment flags."""
