extension Duration {
  /// The duration in seconds, for timings the package reports.
  package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
