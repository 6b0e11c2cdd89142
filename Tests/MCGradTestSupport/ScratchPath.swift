import Foundation

/// The folder that holds this test process's files: `mcgrad-tests-PID` in the
/// temporary directory, made on first use and removed when the process exits,
/// so that a test run leaves nothing behind however its tests end (short of
/// the process being killed) and two runs at once never share a file.
private let processScratchRoot: URL = {
  let root = scratchRoot(of: getpid())
  try? FileManager.default.removeItem(at: root)
  try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
  atexit { try? FileManager.default.removeItem(at: scratchRoot(of: getpid())) }
  return root
}()

private func scratchRoot(of process: pid_t) -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("mcgrad-tests-\(process)")
}

/// A path no other test uses, named after `name`, inside the process's
/// scratch folder; nothing exists there yet.
public func scratchPath(_ name: String) -> URL {
  processScratchRoot.appendingPathComponent("\(name)-\(UUID().uuidString)")
}
