#pragma once
// A small fixed-size thread pool and the execution context passed to every forward().
//
//   ThreadPool(n)              n >= 1 threads in total; the calling thread is one of them
//   ThreadPool(n, before_start) the same, calling before_start(i) before starting worker i (tests inject a failure)
//   pool.parallel_for(n, fn)   runs fn(i) for i in [0, n), tiles handed out dynamically; blocks until done
//   pool.on_each_thread(fn)    runs fn() once on every thread of the pool
//   Context                    which pool, the cancel flag, reference or fast kernels
//   ctx.throw_if_cancelled()   called between tiles; throws Cancelled
//
// Between jobs, workers first watch for the next one for a short, bounded time (kSpinMicroseconds), then sleep
// on a condition variable. A forward pass is a burst of short jobs with tiny gaps, and waking a sleeping thread
// costs more than such a gap on a VM; the bound keeps an idle interactive program idle (unlike OpenMP's default
// busy-wait of many milliseconds). Results never depend on the thread count because every tile is computed by
// the same code on the same data, whichever thread picks it up.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/errors.hpp"

namespace convscope {

class ThreadPool {
public:
    // Throws std::runtime_error naming the thread that could not start (after stopping the ones that did).
    explicit ThreadPool(int threads = default_threads());
    ThreadPool(int threads, const std::function<void(int worker)>& before_start);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return int(workers_.size()) + 1; }
    // fn(task) for every task in [0, tasks). Rethrows the first exception a task threw (the remaining tasks are
    // skipped). Callers on different threads (engines sharing the pool) take turns. Not re-entrant: do not call
    // from inside fn.
    void parallel_for(std::size_t tasks, const std::function<void(std::size_t task)>& fn);
    // fn() once on each of the pool's threads (the calling one too), e.g. to grow thread-local buffers: size()
    // tasks, each waiting until every thread holds one, so that no thread takes two. A thread that has not
    // joined within a second is not waited for (a thread may then run fn twice: fn must allow it).
    void on_each_thread(const std::function<void()>& fn);

    static int default_threads();  // std::thread::hardware_concurrency(), at least 1

private:
    // One parallel_for: a worker copies it under mutex_ when it joins, and the caller waits for every worker
    // that joined before it returns, so a worker never sees a half-published job or outlives fn.
    struct Job {
        const std::function<void(std::size_t)>* fn = nullptr;
        std::size_t tasks = 0;
    };
    void worker_loop();
    void run_tasks(const Job& job);
    void stop_workers();
    // Watches `ready` for at most kSpinMicroseconds; the caller then waits on a condition variable, which
    // returns at once if it did become true.
    template <typename Ready>
    static void spin_until(Ready ready);

    std::vector<std::thread> workers_;
    std::mutex call_mutex_;  // one parallel_for at a time
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    Job job_;  // under mutex_; fn is nullptr between jobs
    std::atomic<std::size_t> next_task_{0};
    // Written under mutex_; atomic so that spinning threads may read them without it.
    std::atomic<std::size_t> generation_{0};
    std::atomic<int> busy_workers_{0};
    std::atomic<bool> stopping_{false};
    std::exception_ptr error_;  // the job's first exception, under error_mutex_; null between jobs
    std::mutex error_mutex_;
};

enum class Kernels { fast, reference };

struct Context {
    ThreadPool* pool = nullptr;                   // nullptr: run on the calling thread only
    const std::atomic<bool>* cancel = nullptr;    // set by another thread to stop a run between tiles
    Kernels kernels = Kernels::fast;
    // Tests: called before each tile's cancel check (on the thread that runs the tile), to cancel at an exact tile.
    const std::function<void()>* before_tile = nullptr;

    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
    void throw_if_cancelled() const {
        if (cancelled()) throw Cancelled();
    }
    // Runs fn(task) for all tasks, on the pool if there is one, checking the cancel flag before each.
    void parallel_for(std::size_t tasks, const std::function<void(std::size_t task)>& fn) const;
    int threads() const { return pool ? pool->size() : 1; }
};

}  // namespace convscope
