#include "core/thread_pool.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <system_error>
#include <utility>

namespace convscope {
namespace {

// How long a thread watches for the next job (or, for the caller, for the workers to finish) before it
// sleeps. Longer than the gaps between the jobs of one forward pass, short enough to cost nothing when idle.
constexpr auto kSpinMicroseconds = std::chrono::microseconds(100);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}

}  // namespace

template <typename Ready>
void ThreadPool::spin_until(Ready ready) {
    const auto give_up = std::chrono::steady_clock::now() + kSpinMicroseconds;
    for (;;) {
        for (int i = 0; i < 64; ++i) {  // look at the clock only now and then
            if (ready()) return;
            cpu_relax();
        }
        if (std::chrono::steady_clock::now() >= give_up) return;
    }
}

int ThreadPool::default_threads() {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : int(n);
}

ThreadPool::ThreadPool(int threads) : ThreadPool(threads, {}) {}

ThreadPool::ThreadPool(int threads, const std::function<void(int worker)>& before_start) {
    if (threads < 1) threads = 1;
    workers_.reserve(std::size_t(threads - 1));
    for (int i = 1; i < threads; ++i) {
        try {
            if (before_start) before_start(i);
            workers_.emplace_back([this] { worker_loop(); });
        } catch (const std::exception& e) {
            stop_workers();  // else the started threads would wait forever, and their destructors terminate
            throw std::runtime_error("could not start thread " + std::to_string(i) + " of a pool of " +
                                     std::to_string(threads) + ": " + e.what());
        }
    }
}

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::stop_workers() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
}

void ThreadPool::run_tasks(const Job& job) {
    for (;;) {
        std::size_t task = next_task_.fetch_add(1, std::memory_order_relaxed);
        if (task >= job.tasks) return;
        {
            std::lock_guard<std::mutex> lock(error_mutex_);
            if (error_) return;
        }
        try {
            (*job.fn)(task);
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex_);
            if (!error_) error_ = std::current_exception();
            next_task_.store(job.tasks, std::memory_order_relaxed);  // skip what is left
        }
    }
}

void ThreadPool::worker_loop() {
    std::size_t seen = 0;
    for (;;) {
        spin_until([&] { return stopping_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen; });
        Job job;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
            // The job may already be over (the caller ran every task alone and cleared it): then there is
            // nothing to join. Otherwise the caller now waits for this worker before it returns.
            if (!job_.fn) continue;
            job = job_;
            ++busy_workers_;
        }
        run_tasks(job);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            --busy_workers_;
        }
        done_.notify_one();
    }
}

void ThreadPool::parallel_for(std::size_t tasks, const std::function<void(std::size_t)>& fn) {
    if (tasks == 0) return;
    if (workers_.empty() || tasks == 1) {
        for (std::size_t t = 0; t < tasks; ++t) fn(t);
        return;
    }
    std::lock_guard<std::mutex> turn(call_mutex_);
    const Job job{&fn, tasks};
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = job;
        next_task_.store(0, std::memory_order_relaxed);
        ++generation_;
    }
    wake_.notify_all();
    run_tasks(job);
    // Every worker that joined must have left run_tasks() before fn goes out of scope; the job is withdrawn in
    // the same critical section, so no worker joins it later.
    spin_until([&] { return busy_workers_.load(std::memory_order_acquire) == 0; });
    std::exception_ptr error;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [&] { return busy_workers_ == 0; });
        job_ = Job{};
        std::lock_guard<std::mutex> error_lock(error_mutex_);
        error = std::exchange(error_, nullptr);  // so the next job starts without one
    }
    if (error) std::rethrow_exception(error);
}

void Context::parallel_for(std::size_t tasks, const std::function<void(std::size_t)>& fn) const {
    auto checked = [&](std::size_t task) {
        if (before_tile) (*before_tile)();
        throw_if_cancelled();
        fn(task);
    };
    if (pool) {
        pool->parallel_for(tasks, checked);
    } else {
        for (std::size_t t = 0; t < tasks; ++t) checked(t);
    }
}

void ThreadPool::on_each_thread(const std::function<void()>& fn) {
    const std::size_t threads = std::size_t(size());
    std::atomic<std::size_t> arrived{0};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    parallel_for(threads, [&](std::size_t) {
        ++arrived;
        while (arrived.load() < threads && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
        fn();
    });
}

}  // namespace convscope
