#pragma once
// A tiny HTTP/1.1 server on 127.0.0.1 for the download tests: it listens on an ephemeral port, serves one
// body for any path, and misbehaves on request the way real servers and networks do.
//
//   LoopbackHttpServer server(body);    starts listening at once; stops and joins in the destructor
//   server.url("/x.h5")                 "http://127.0.0.1:<port>/x.h5"
//   server.set_mode(Mode::...)          how the next requests are answered:
//     serve      200 with the body, or 206 with the rest of it for "Range: bytes=N-"
//     no_range   200 with the whole body, whatever the Range header says (a server that cannot resume)
//     truncate   200 promising the whole body, sending the first half, then closing the connection
//     stall      200 promising the whole body, sending the first half, then waiting for the client to go
//     not_found  404
//     slow       as serve, in 4 kB pieces 5 ms apart
//   Any mode: a path starting with /moved/ is answered 302 with the rest of the path as Location (as GitHub's
//   release links redirect to their file host).
//   server.ranges()                     the Range header of each request so far ("" when none)
//   server.body_bytes_sent()            body bytes written to clients so far
//   refused_port()                      a loopback port nobody listens on (bound, then closed)
//
// One connection at a time, Connection: close after each answer: enough for libcurl's single transfer.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace convscope_test {

class LoopbackHttpServer {
public:
    enum class Mode { serve, no_range, truncate, stall, not_found, slow };

    explicit LoopbackHttpServer(std::vector<std::uint8_t> body) : body_(std::move(body)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listener_ < 0) throw std::runtime_error("socket() failed");
        sockaddr_in addr = loopback(0);
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 8) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        socklen_t length = sizeof addr;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~LoopbackHttpServer() {
        stop_ = true;
        thread_.join();
        ::close(listener_);
    }
    LoopbackHttpServer(const LoopbackHttpServer&) = delete;
    LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    void set_mode(Mode mode) { mode_ = mode; }
    std::vector<std::string> ranges() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return ranges_;
    }
    std::uint64_t body_bytes_sent() const { return sent_; }

    static int refused_port() {
        const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr = loopback(0);
        ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t length = sizeof addr;
        ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &length);
        ::close(s);  // nobody listens there now: a connection is refused
        return ntohs(addr.sin_port);
    }

private:
    static sockaddr_in loopback(int port) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(std::uint16_t(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return addr;
    }

    void accept_loop() {
        while (!stop_) {
            pollfd p{listener_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            answer(client);
            ::close(client);
        }
    }

    // Reads the request head; returns its Range header value, or "" (and "\x01" when the head never came).
    // The request's path goes to `path`.
    std::string read_head(int client, std::string& path) {
        std::string head;
        char buffer[1024];
        while (head.find("\r\n\r\n") == std::string::npos && !stop_) {
            pollfd p{client, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
            if (n <= 0) return "\x01";
            head.append(buffer, std::size_t(n));
        }
        const std::size_t path_at = head.find(' ');
        if (path_at != std::string::npos) path = head.substr(path_at + 1, head.find(' ', path_at + 1) - path_at - 1);
        for (std::size_t at = 0; (at = head.find("\r\n", at)) != std::string::npos;) {
            at += 2;
            if (head.compare(at, 6, "Range:") == 0 || head.compare(at, 6, "range:") == 0) {
                const std::size_t end = head.find("\r\n", at);
                std::string value = head.substr(at + 6, end - at - 6);
                while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                return value;
            }
        }
        return "";
    }

    bool send_all(int client, const void* data, std::size_t size, bool body) {
        const char* p = static_cast<const char*>(data);
        while (size > 0) {
            const ssize_t n = ::send(client, p, size, MSG_NOSIGNAL);
            if (n <= 0) return false;
            p += n;
            size -= std::size_t(n);
            if (body) sent_ += std::uint64_t(n);
        }
        return true;
    }

    void answer(int client) {
        std::string path;
        const std::string range = read_head(client, path);
        if (range == "\x01") return;
        if (path.rfind("/moved/", 0) == 0) {
            const std::string head = "HTTP/1.1 302 Found\r\nLocation: " + path.substr(6) +
                                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            send_all(client, head.data(), head.size(), false);
            return;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ranges_.push_back(range);
        }
        const Mode mode = mode_;
        if (mode == Mode::not_found) {
            const std::string text = "no such file\n";
            const std::string head = "HTTP/1.1 404 Not Found\r\nContent-Length: " + std::to_string(text.size()) +
                                     "\r\nConnection: close\r\n\r\n";
            send_all(client, head.data(), head.size(), false);
            send_all(client, text.data(), text.size(), false);
            return;
        }
        std::size_t from = 0;
        if ((mode == Mode::serve || mode == Mode::slow) && range.rfind("bytes=", 0) == 0) from = std::stoul(range.substr(6));
        if (from > body_.size()) {
            const std::string head = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" +
                                     std::to_string(body_.size()) + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            send_all(client, head.data(), head.size(), false);
            return;
        }
        std::string head = from > 0 ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + std::to_string(from) +
                                          "-" + std::to_string(body_.size() - 1) + "/" + std::to_string(body_.size()) +
                                          "\r\n"
                                    : std::string("HTTP/1.1 200 OK\r\n");
        head += "Content-Type: application/octet-stream\r\nContent-Length: " + std::to_string(body_.size() - from) +
                "\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n";
        if (!send_all(client, head.data(), head.size(), false)) return;
        const bool half = mode == Mode::truncate || mode == Mode::stall;
        const std::size_t end = half ? body_.size() / 2 : body_.size();
        if (mode == Mode::slow) {
            for (std::size_t at = from; at < end && !stop_; at += 4096) {
                if (!send_all(client, body_.data() + at, std::min<std::size_t>(4096, end - at), true)) return;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        } else if (!send_all(client, body_.data() + from, end - from, true)) {
            return;
        }
        if (mode == Mode::stall) {
            // Keep the connection open, sending nothing, until the client gives up or the server stops.
            char sink[256];
            while (!stop_) {
                pollfd p{client, POLLIN, 0};
                if (::poll(&p, 1, 50) > 0 && ::recv(client, sink, sizeof sink, 0) <= 0) break;
            }
        }
    }

    std::vector<std::uint8_t> body_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<Mode> mode_{Mode::serve};
    std::atomic<std::uint64_t> sent_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> ranges_;
    std::thread thread_;
};

}  // namespace convscope_test
