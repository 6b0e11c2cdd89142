import Foundation

/// Writes `svg` to `path`, creating the parent folders.
public func writeSVG(_ svg: String, to path: String) throws {
  let url = URL(fileURLWithPath: path)
  try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
  try svg.write(to: url, atomically: true, encoding: .utf8)
}
