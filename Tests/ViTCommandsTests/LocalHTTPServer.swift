import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.0 server on 127.0.0.1, on a port the system picks, that answers every request
/// with one body, so download tests never touch the network. `declaredLength` larger than
/// the body imitates a connection lost part-way.
final class LocalHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let stopped = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var served = 0

    var url: URL { URL(string: "http://127.0.0.1:\(port)/cifar-10-binary.tar.gz")! }
    var requestCount: Int { lock.lock(); defer { lock.unlock() }; return served }

    init(body: Data, status: Int = 200, declaredLength: Int? = nil) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard listener >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        port = UInt16(bigEndian: address.sin_port)
        let head = "HTTP/1.0 \(status) \(status == 200 ? "OK" : "Error")\r\nContent-Type: application/gzip\r\n"
            + "Content-Length: \(declaredLength ?? body.count)\r\nConnection: close\r\n\r\n"
        let response = Data(head.utf8) + body
        let thread = Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { break }  // stop() shut the listener down
                readRequest(client)
                lock.lock(); served += 1; lock.unlock()
                response.withUnsafeBytes { bytes in
                    var sent = 0
                    while sent < bytes.count {
                        // MSG_NOSIGNAL: a client that hangs up must not kill the test process with SIGPIPE.
                        let count = send(client, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                        if count <= 0 { break }
                        sent += count
                    }
                }
                close(client)
            }
            close(listener)
            stopped.signal()
        }
        thread.start()
    }

    /// Ends the accept loop (shutdown wakes a blocked accept; close alone does not on Linux).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        stopped.wait()
    }

    private func readRequest(_ client: Int32) {
        var request = [UInt8](), buffer = [UInt8](repeating: 0, count: 4096)
        while !request.suffix(4).elementsEqual("\r\n\r\n".utf8) {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return }
            request += buffer[..<count]
        }
    }
}
