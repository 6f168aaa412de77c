"""Officers' curation of a question's themes, the partnership's strategic priorities and the
Joint Officers' Group's priority-setting board."""
