using System.Globalization;

namespace Stt.Benchmarks.FanOut;

/// <summary>Linux /proc readings of a process: resident memory and CPU time (user + system).</summary>
internal static class ProcessStats
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux.

    /// <summary>VmRSS in bytes, or -1 when /proc is not readable.</summary>
    public static long ResidentBytes(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>User + system CPU seconds the process used so far, or NaN.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may contain spaces) start after the last ')'.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
