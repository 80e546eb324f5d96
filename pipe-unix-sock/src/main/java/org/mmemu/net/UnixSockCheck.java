package org.mmemu.net;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.check.ConsistencyCheck;
import org.mmemu.core.fs.OpenFiles;

/**
 * A leaked AF_UNIX sock or skb: once no file is open, no socket can hold a peer or a queue, so
 * every sock must have been freed ({@code __sk_free}) and every skb consumed or purged. While
 * files are open, socks and skbs may be held legitimately and the check reports nothing. The
 * slab and page checks cannot see these leaks: a live object of a live cache is no violation.
 */
public final class UnixSockCheck implements ConsistencyCheck {
    private final OpenFiles openFiles;
    private final UnixObjectCounts counts;

    @Inject
    UnixSockCheck(OpenFiles openFiles, UnixObjectCounts counts) {
        this.openFiles = openFiles;
        this.counts = counts;
    }

    @Override
    public String name() {
        return "af_unix";
    }

    @Override
    public List<String> check() {
        List<String> problems = new ArrayList<>();
        if (!openFiles.live().isEmpty()) {
            return problems;
        }
        int socks = counts.socks.get();
        int buffers = counts.skbs.get();
        if (socks != 0) {
            problems.add(socks + " unix_sock(s) still allocated after every file was released: a sock_put missed");
        }
        if (buffers != 0) {
            problems.add(buffers + " sk_buff(s) still allocated after every socket was released: a kfree_skb missed");
        }
        return problems;
    }
}
