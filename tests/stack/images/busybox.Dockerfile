# The test image: Debian's static busybox on an empty base, with its applets installed
# as symlinks in /bin, so `sh -c`, `echo`, `sleep`, `dd`, `seq` ... work in task commands.
# up.sh copies /bin/busybox (package busybox-static) next to this file before building.
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/usr/bin", "/sbin", "/usr/sbin"]
ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
CMD ["sh"]
