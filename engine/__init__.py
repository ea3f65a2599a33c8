"""How an environment reaches its desired state: the program's registrations become steps, run by one executor
against provider plugins. The engine knows no cloud: providers are found by package name."""
