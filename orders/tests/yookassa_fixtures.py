"""pytest fixtures that run the local fake YooKassa on a free loopback port."""
