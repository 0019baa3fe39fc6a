"""What only `make cluster` needs: the turn lock store shared by the replicas, and the proxy's configuration."""
