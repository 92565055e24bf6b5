/// What wakes a live stream (the event stream, the floor plan's): every commit signal, and a
/// timer every `keepAliveEvery` so the stream can send a keep-alive. Signals are coalesced (a
/// slow writer never piles them up); the wakes finish when the commits do, or when the task
/// is cancelled (at shutdown; and when the stream ends, so nothing is left running).
enum Wakes {
    static func start(commits: AsyncStream<Void>, keepAliveEvery: Duration) -> (wakes: AsyncStream<Void>, feeder: Task<Void, Never>) {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let feeder = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // A cancelled task ends this loop too.
                    for await _ in commits { wake.yield() }
                    wake.finish()
                }
                group.addTask {
                    while (try? await Task.sleep(for: keepAliveEvery)) != nil { wake.yield() }
                }
                await group.next()
                group.cancelAll()
            }
        }
        return (wakes, feeder)
    }
}
