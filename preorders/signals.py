"""News of the preorder rules for the apps above them (orders), so that preorders never import them.

- `wave_status_changed(wave, status, message)`: a wave moved forward, inside the mover's transaction; the orders
  app records a timeline entry on every live order of the wave and tells its customer.
"""

from django.dispatch import Signal

wave_status_changed = Signal()
