import Foundation
import MCGrad

/// The errors for files we read, all of the form "<kind> <path>: <problem>"
/// (an `MCGradError/invalidFile(path:reason:)`, which the command line
/// reports with exit code 65), and the translation of Foundation's read and decoding errors into
/// such problems: which field is missing or has the wrong type, never a raw
/// `NSError` or `DecodingError`.
enum FileProblem {
  /// The largest file we read into memory, 2 GiB.
  static let maximumBytes = 1 << 31

  /// "<kind> <path>", or `kind` alone without a file.
  static func subject(_ kind: String, _ url: URL?) -> String {
    url.map { "\(kind) \($0.path)" } ?? kind
  }

  /// The error for `problem` in the file `url` of kind `kind`.
  static func error(_ kind: String, _ url: URL?, _ problem: String) -> MCGradError {
    .invalidFile(path: subject(kind, url), reason: problem)
  }

  /// The contents of `url`, or an error saying why they cannot be read: no
  /// such file, a directory, a device, pipe or socket, no permission, larger
  /// than ``maximumBytes``.
  static func read(_ url: URL, kind: String) throws -> Data {
    var status = stat()
    guard stat(url.path, &status) == 0 else {
      // A loop of links and a link to nothing read "no such file".
      let code = errno
      var link = stat()
      if code == ELOOP { throw error(kind, url, "it is a loop of symbolic links") }
      if code == ENOENT, lstat(url.path, &link) == 0 {
        throw error(kind, url, "it is a symbolic link to a missing file")
      }
      throw error(kind, url, code == ENOENT ? "no such file" : String(cString: strerror(code)))
    }
    if status.st_mode & S_IFMT == S_IFDIR { throw error(kind, url, "it is a directory, not a file") }
    // Reading a pipe could wait for ever, and Foundation calls a device unreadable ("permission denied").
    if status.st_mode & S_IFMT != S_IFREG {
      throw error(kind, url, "it is a device, pipe or socket, not a file")
    }
    let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
    if let size = attributes?[.size] as? NSNumber,
      size.int64Value > Int64(maximumBytes)
    {
      throw error(
        kind, url,
        "it is \(MemoryBudget.formatted(size.doubleValue)): expected at most \(MemoryBudget.formatted(Double(maximumBytes)))"
      )
    }
    do {
      return try Data(contentsOf: url)
    } catch {
      throw Self.error(kind, url, "it cannot be read (\(reason(error)))")
    }
  }

  /// The operating system's reason for a failed read, e.g. "Permission denied".
  static func reason(_ error: any Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
      return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    if ns.domain == NSCocoaErrorDomain {
      switch CocoaError.Code(rawValue: ns.code) {
      case .fileReadNoPermission: return "permission denied"
      case .fileReadNoSuchFile: return "no such file"
      case .fileReadCorruptFile: return "the file is corrupt"
      default: break
      }
    }
    return "error \(ns.code)"
  }

  /// The JSON decoder for our files: non-finite numbers as written by
  /// ``PolicySearchState/write(to:)`` ("inf", "-inf", "nan") decode, so that
  /// validation can name them.
  static var decoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }

  /// Decodes `T` from `data`, translating a decoding error into a problem of
  /// the file. `wholeNumberKeys` are the keys whose values must be integers,
  /// to find a fraction or an out-of-range number the decoder reports only as
  /// corrupt data.
  static func decode<T: Decodable>(
    _ type: T.Type, from data: Data, kind: String, url: URL?, wholeNumberKeys: Set<String> = []
  ) throws -> T {
    guard !data.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { throw error(kind, url, "it is empty") }
    do {
      return try decoder.decode(type, from: data)
    } catch let decoding as DecodingError {
      throw error(kind, url, describe(decoding, data: data, wholeNumberKeys: wholeNumberKeys))
    }
  }

  /// A coding path as it reads in the file: `history[3].averageReturn`.
  static func path(_ keys: [any CodingKey]) -> String {
    keys.reduce(into: "") { text, key in
      if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == "\(index)" {
        text += "[\(index)]"
      } else {
        text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
      }
    }
  }

  /// What a Swift type reads as in JSON.
  static func jsonType(_ type: Any.Type) -> String {
    switch type {
    case is Double.Type, is Float.Type: return "a number"
    case is Int.Type, is UInt64.Type, is Int64.Type: return "a whole number"
    case is String.Type: return "a string"
    case is Bool.Type: return "true or false"
    default:
      let name = String(describing: type)
      if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
      if name.hasPrefix("Dictionary") || name.hasPrefix("KeyedDecodingContainer") { return "an object" }
      return "an object (\(name))"
    }
  }

  /// A decoding error as a sentence about the file's field.
  static func describe(_ error: DecodingError, data: Data, wholeNumberKeys: Set<String>) -> String {
    switch error {
    case let .keyNotFound(key, context):
      return "field \"\(path(context.codingPath + [key]))\" is missing"
    case let .valueNotFound(type, context):
      return "field \"\(path(context.codingPath))\" is null: expected \(jsonType(type))"
    case let .typeMismatch(type, context):
      let field = path(context.codingPath)
      return field.isEmpty
        ? "it is not \(jsonType(type))" : "field \"\(field)\" has the wrong type: expected \(jsonType(type))"
    case let .dataCorrupted(context):
      if !context.codingPath.isEmpty {
        return "field \"\(path(context.codingPath))\" has an invalid value (\(context.debugDescription))"
      }
      return corruption(data, wholeNumberKeys: wholeNumberKeys)
    @unknown default:
      return "it cannot be decoded"
    }
  }

  /// Why the decoder found `data` corrupt: not JSON at all (with the
  /// parser's reason), or a number that does not fit its field.
  static func corruption(_ data: Data, wholeNumberKeys: Set<String>) -> String {
    let tree: Any
    do {
      tree = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    } catch {
      let detail = (error as NSError).userInfo["NSDebugDescription"] as? String
      return "it is not valid JSON" + (detail.map { " (\($0))" } ?? "")
    }
    if let (field, value) = firstFraction(tree, path: "", key: nil, wholeNumberKeys: wholeNumberKeys) {
      return "field \"\(field)\" is \(value): expected a whole number"
    }
    return
      "it holds a number that does not fit its field (a fraction where a whole number belongs, or a number beyond "
      + "±1.8e308, or one so small that it underflows, such as 1e-400)"
  }

  /// The first number under a key of `wholeNumberKeys` that is not a whole number in range.
  static func firstFraction(_ node: Any, path: String, key: String?, wholeNumberKeys: Set<String>) -> (String, String)?
  {
    if let object = node as? [String: Any] {
      for name in object.keys.sorted() {
        if let found = firstFraction(
          object[name]!, path: path.isEmpty ? name : "\(path).\(name)", key: name, wholeNumberKeys: wholeNumberKeys)
        {
          return found
        }
      }
    } else if let array = node as? [Any] {
      for (i, element) in array.enumerated() {
        if let found = firstFraction(element, path: "\(path)[\(i)]", key: key, wholeNumberKeys: wholeNumberKeys) {
          return found
        }
      }
    } else if let key, wholeNumberKeys.contains(key), let number = node as? NSNumber, !(node is Bool) {
      let value = number.doubleValue
      let whole = value.rounded() == value && value >= -9.2e18 && value <= 1.8e19
      if !whole { return (path, "\(number)") }
    }
    return nil
  }
}
