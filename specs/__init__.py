"""The provider specs and their source documents: data, shipped in the wheel as the package `conformance.specs`."""
