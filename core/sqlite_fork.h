#pragma once
// SQLite connections across fork().
//
// SQLite keeps per-process state for every file it has open: which locks the process
// holds, the mapping of a WAL store's -shm index. A child forked while its parent had a
// store open inherits that state, but not the parent's POSIX locks, and a connection the
// child opens to the same file reuses it: SQLite then believes the child holds locks it
// does not. A process that later closes its last connection to the store sees no other
// user, checkpoints and deletes the -wal and -shm files, and every evaluation the child
// writes after that goes into a deleted file: lost without an error. (Found with
// gymnasium's AsyncVectorEnv, whose forked workers each open the store, after a closed
// env of the parent had kept its connection.)
//
// So every store connection is tracked with the process that opened it, and a process
// closes the connections it inherited before it opens one of its own. Closing them in
// the child releases only the child's locks (it holds none), and with checkpoint-on-close
// turned off it neither checkpoints nor deletes anything the parent still uses. Python's
// own sqlite3 connections are not tracked: a parent should not hold one to a store it
// forks workers for.
#include <string>

struct sqlite3;

namespace archgym {

// Right after sqlite3_open_v2 succeeds, in the opening process (a fork from another
// thread later on must find it).
void track_connection(sqlite3* db);
// Closes a connection of this process and forgets it, in one step for the same reason.
void close_tracked(sqlite3* db);

// Closes every tracked connection that another (parent) process opened. Throws
// std::runtime_error, naming `opening` (the store about to be opened), when one of them
// was inside a transaction at the fork (a thread of the parent was writing): closing it
// would roll back in the index the parent shares, and keeping it would leave the state
// described above. The same when one of its statements was running (it cannot be closed).
void release_inherited_connections(const std::string& opening);

}  // namespace archgym
