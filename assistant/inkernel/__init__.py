"""inkernel"""
