using System.Runtime.InteropServices;

namespace Stt.Transport.Udp.Tests.Namespaces;

/// <summary>
/// A named network namespace (<c>/var/run/netns/&lt;name&gt;</c>) in which code can run on a dedicated thread, so that
/// sockets it creates belong to that namespace.
/// </summary>
/// <remarks>
/// setns(2) with CLONE_NEWNET moves only the calling thread; a socket keeps the namespace it was created in for its whole
/// life, whichever thread later uses it. Threads a thread creates inherit its namespace, so the switched thread does
/// nothing but the given work and switches back before it signals completion: a continuation it queued while still
/// inside could otherwise make the thread pool start a worker in the wrong namespace.
/// </remarks>
public sealed class NetworkNamespace(string name)
{
    private const int CloneNewNet = 0x40000000;

    public string Name { get; } = name;

    public string Path => "/var/run/netns/" + Name;

    /// <summary>The namespace identity of the process's main thread, such as <c>net:[4026531840]</c>.</summary>
    public static string ProcessNamespace => ReadLink("/proc/self/ns/net") ?? throw new InvalidOperationException("/proc/self/ns/net is unreadable.");

    /// <summary>Threads of this process whose network namespace is not the process's own, as "tid: namespace".</summary>
    public static IReadOnlyList<string> StrayThreads()
    {
        string home = ProcessNamespace;
        var stray = new List<string>();
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string? link = ReadLink(task + "/ns/net");
            if (link is not null && link != home)
            {
                stray.Add(System.IO.Path.GetFileName(task) + ": " + link);
            }
        }

        return stray;
    }

    /// <summary>Runs <paramref name="work"/> on a new thread that has joined this namespace.</summary>
    public Task<T> RunInsideAsync<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            T result;
            try
            {
                result = RunSwitched(work);
            }
            catch (Exception e)
            {
                completion.SetException(e);
                return;
            }

            completion.SetResult(result);
        })
        {
            IsBackground = true,
            Name = "netns " + Name,
        };
        thread.Start();
        return completion.Task;
    }

    private T RunSwitched<T>(Func<T> work)
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle home = OpenNamespace("/proc/thread-self/ns/net");
        using Microsoft.Win32.SafeHandles.SafeFileHandle target = OpenNamespace(Path);
        Switch(target, Path);
        try
        {
            return work();
        }
        finally
        {
            Switch(home, "/proc/thread-self/ns/net (back to the original namespace)");
        }
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenNamespace(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot open the network namespace file {path}: {e.Message}", e);
        }
    }

    private static void Switch(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string description)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (SetNs(handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new InvalidOperationException(
                    $"setns({description}, CLONE_NEWNET) failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}); joining a network namespace needs CAP_SYS_ADMIN.");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The thread exited between listing and reading.
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);
}
