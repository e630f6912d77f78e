import Foundation
import ViTStore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ViTCore

/// Streams one URL into a file, hashing the bytes as they arrive so the 170 MB archive is not
/// read twice. Every failure is one line: no connection, a status other than 200, or a body
/// shorter than its Content-Length.
public final class HTTPDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    public struct Result: Equatable {
        public let bytes: Int64
        public let md5: String
    }

    private let url: URL
    private let path: String
    private let file: Int32  // a descriptor: write(2) says why it failed (FileHandle: "error 512")
    private let progress: (_ bytes: Int64, _ total: Int64?) -> Void
    private let finished = DispatchSemaphore(value: 0)
    // Touched only on the session's serial delegate queue until `finished` is signalled.
    private var digest = MD5()
    private var received: Int64 = 0
    private var expected: Int64?
    private var failure: DataError?

    /// Writes `url`'s body to `path` (created or emptied). `progress` is called from another
    /// thread with the bytes so far and the total when the server said it.
    public static func fetch(_ url: URL, to path: String,
                             progress: @escaping (_ bytes: Int64, _ total: Int64?) -> Void = { _, _ in }) throws -> Result {
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard file >= 0 else { throw DataError("\(path): could not be created (\(String(cString: strerror(errno))))") }
        defer { close(file) }
        let download = HTTPDownload(url: url, path: path, file: file, progress: progress)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: .ephemeral, delegate: download, delegateQueue: queue)
        session.dataTask(with: url).resume()
        download.finished.wait()
        session.finishTasksAndInvalidate()  // the session holds its delegate until invalidated
        if let failure = download.failure { throw failure }
        return Result(bytes: download.received, md5: MD5.hex(download.digest.finalize()))
    }

    private init(url: URL, path: String, file: Int32, progress: @escaping (Int64, Int64?) -> Void) {
        self.url = url
        self.path = path
        self.file = file
        self.progress = progress
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                           completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            let reason = HTTPURLResponse.localizedString(forStatusCode: http.statusCode)
            failure = DataError("\(url.absoluteString): HTTP status \(http.statusCode) (\(reason)), expected 200")
            completionHandler(.cancel)
            return
        }
        expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        completionHandler(.allow)
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        guard data.withUnsafeBytes({ writeAll(file, $0) }) else {
            failure = DataError("\(path): could not write the download (\(String(cString: strerror(errno))))")
            dataTask.cancel()
            return
        }
        data.withUnsafeBytes { digest.update($0) }
        received += Int64(data.count)
        progress(received, expected)
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        defer { finished.signal() }
        guard failure == nil else { return }
        // Checked before the error: a connection closed early is reported as what it means.
        if let expected, received != expected {
            failure = DataError("\(url.absoluteString): the body ended after \(received) of \(expected) bytes (connection lost?)")
        } else if let error {
            failure = DataError("\(url.absoluteString): could not be downloaded (\(error.localizedDescription))")
        }
    }
}
