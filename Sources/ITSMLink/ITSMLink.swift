/// ITSMLink module. See DESIGN.md.
public enum ITSMLinkModule {}
