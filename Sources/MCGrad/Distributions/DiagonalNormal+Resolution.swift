extension DiagonalNormal {
  /// The smallest σ a Monte Carlo estimate accepts, 2⁻⁵⁰⁰ ≈ 3·10⁻¹⁵¹: below
  /// it σ² (in the score (x − µ)/σ²) is no longer a normal number.
  public static let smallestStd = 0x1p-500
  /// The largest σ accepted, 2⁵⁰⁰ ≈ 3·10¹⁵⁰: above it σ² overflows.
  public static let largestStd = 0x1p500
  /// The smallest σᵢ/|µᵢ| accepted, 2⁻³⁰ ≈ 9.3·10⁻¹⁰: a sample µᵢ + σᵢεᵢ then
  /// resolves σᵢεᵢ to about 22 bits. Below it the samples round to µᵢ and a
  /// score-function or measure-valued estimate comes out exactly 0.
  public static let smallestRelativeStd = 0x1p-30
  /// The smallest σᵢ/|µᵢ| accepted in single precision, 2⁻¹²: Float's 24-bit
  /// significand then keeps about 12 bits of σᵢεᵢ. Below it f's differences
  /// round away (mvd's rows became 0, and its estimate 0 ± 0).
  public static let smallestRelativeStdInSinglePrecision = 0x1p-12

  /// Throws unless every coordinate's σᵢ can be seen by sampling at µᵢ:
  /// ``smallestStd`` ≤ σᵢ ≤ ``largestStd`` and σᵢ ≥ ``smallestRelativeStd``·|µᵢ|.
  ///
  /// With a smaller σ, x = µ + σε rounds to µ (or σ² underflows) and most
  /// estimators would return 0 or NaN for a gradient that is neither.
  public func checkResolution() throws {
    for i in 0..<dimension {
      let (mu, sigma) = (mean[i], std[i])
      guard sigma >= Self.smallestStd, sigma <= Self.largestStd else {
        throw MCGradError.invalidParameter(
          name: "std[\(i)]", value: sigma,
          expected: "σ between \(Self.smallestStd) and \(Self.largestStd), where σ² is a normal floating-point number")
      }
      guard sigma >= Self.smallestRelativeStd * abs(mu) else {
        throw MCGradError.invalidParameter(
          name: "std[\(i)]", value: sigma,
          expected: "σ ≥ 2⁻³⁰·|µ| = \(Self.smallestRelativeStd * abs(mu)) at mean[\(i)] = \(mu), "
            + "or the samples µ + σε round to µ")
      }
    }
  }
}
