"""What residents said, for the Joint Officers' Group and officers."""
