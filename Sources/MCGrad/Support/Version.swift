/// The version of MCGrad: of this library, of the `mcgrad` command
/// (`mcgrad --version`), of the C interface's `mcgrad_version()` and of the
/// Python package (`python/pyproject.toml`, tested to agree).
public let mcgradVersion = "0.1.0"
