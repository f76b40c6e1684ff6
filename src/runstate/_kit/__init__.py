"""The provider kit's machinery: the spec and its checks, registry, plugins, task runs, state_of, schemas."""
