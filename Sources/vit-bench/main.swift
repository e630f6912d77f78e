import ViTCommands

ProcessSetup.preparePassiveOpenMP()
ProcessSetup.keepLargeAllocationsInHeap()
BenchCommand.main()
