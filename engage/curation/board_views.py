"""Strategic priorities and the priority-setting board."""
