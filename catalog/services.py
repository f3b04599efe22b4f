"""Catalog writes: products with their stock per size, and stock movements of orders."""

# --- Product writes (staff: API and admin) -------------------------------------------------------------------


# --- Stock movements (orders) ---------------------------------------------------------------------------------
