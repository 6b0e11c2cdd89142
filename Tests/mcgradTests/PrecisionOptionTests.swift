import Foundation
import Testing

@Suite("mcgrad estimate/compare --precision")
struct PrecisionOptionTests {
  @Test("estimate --precision float32 --json: precision float32, every entry within 5 SE of the exact gradient")
  func estimateSinglePrecision() throws {
    for estimator in ["sf", "sf-loo", "pathwise", "es", "mvd"] {
      let run = try mcgrad(
        "estimate", "--precision", "float32", "--dim", "3", "--mean", "0.3,-0.8,1.2", "--std", "0.4", "--wrt", "both",
        "--estimator", estimator, "--samples", "5000", "--seed", "3", "--json")
      #expect(run.status == 0, "\(estimator): \(run.stderr)")
      let object = try #require(try json(run.stdout) as? [String: Any])
      #expect(object["precision"] as? String == "float32")
      for part in ["mean", "std"] {
        let estimate = try #require((object["estimate"] as? [String: [Double]])?[part])
        let exact = try #require((object["exact"] as? [String: [Double]])?[part])
        let error = try #require((object["standardError"] as? [String: [Double]])?[part])
        for i in 0..<3 { #expect(abs(estimate[i] - exact[i]) < 5 * error[i], "\(estimator) \(part)[\(i)]") }
      }
    }
    let double = try mcgrad("estimate", "--dim", "3", "--samples", "100", "--json")
    #expect(try #require(try json(double.stdout) as? [String: Any])["precision"] as? String == "float64")
  }

  @Test("compare --precision float32 runs the five single-precision estimators and says so")
  func compareSinglePrecision() throws {
    let run = try mcgrad(
      "compare", "--precision", "float32", "--dim", "3", "--budget", "400", "--repeats", "10", "--json")
    #expect(run.status == 0, "\(run.stderr)")
    let rows = try #require(try json(run.stdout) as? [[String: Any]])
    #expect(Set(rows.compactMap { $0["estimator"] as? String }) == ["sf", "sf-loo", "pathwise", "es", "mvd"])
    #expect(rows.allSatisfy { $0["precision"] as? String == "float32" })
  }

  @Test("--precision float32 refuses what has no single-precision path, with exit 64 and the reason")
  func refusals() throws {
    for (arguments, reason) in [
      (["estimate", "--problem", "cosine"], "no single-precision objective"),
      (["estimate", "--estimator", "ccmvd"], "sf, sf-loo, pathwise, es, mvd"),
      (["compare", "--estimators", "sf,sf-ema"], "sf-ema has no single-precision kernel"),
      (["estimate", "--objective-command", "cat"], "built-in problems only"),
      (["estimate", "--distribution", "poisson", "--problem", "linear"], "--distribution normal only"),
      (["estimate", "--mean", "100", "--std", "1e-4"], "2⁻¹²"),
    ] {
      let run = try mcgrad(arguments + ["--precision", "float32"])
      #expect(run.status == 64, "\(arguments): \(run.stdout)")
      #expect(run.stderr.contains(reason), "\(arguments): \(run.stderr)")
    }
    let unknown = try mcgrad("estimate", "--precision", "float16")
    #expect(unknown.status == 64)
  }
}
